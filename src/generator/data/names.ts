/**
 * Name pools by culture, ranked by frequency (roughly as in Australian, British, US and German
 * registers) and drawn with Zipf–Mandelbrot weights, so common names repeat as they do in real
 * customer files: Smith is ~1.5 % of Anglo surnames, Nguyen ~38 % of Vietnamese ones, Kim ~21 % of
 * Korean ones. Chinese names live in chinese-names.ts (they need three scripts).
 */
import { WeightedTable } from '../prng.js';

export type Culture =
  | 'anglo'
  | 'chinese'
  | 'vietnamese'
  | 'indian'
  | 'italian'
  | 'greek'
  | 'arabic'
  | 'filipino'
  | 'korean'
  | 'german'
  | 'turkish'
  | 'hispanic';

export interface NamePools {
  male: WeightedTable<string>;
  female: WeightedTable<string>;
  family: WeightedTable<string>;
  /** Second given names; empty when the culture rarely records one. */
  middleMale: readonly string[];
  middleFemale: readonly string[];
  /** Share of people with a middle name. */
  middleRate: number;
}

const words = (s: string): string[] => s.trim().split(/\s*,\s*/);

const ANGLO_FAMILY_TOP = words(`
  Smith, Jones, Williams, Brown, Wilson, Taylor, Johnson, White, Martin, Anderson, Thompson, Thomas,
  Walker, Harris, Lee, Ryan, Robinson, Kelly, King, Davis, Wright, Evans, Roberts, Green, Hall, Wood,
  Jackson, Clarke, Lewis, Hill, Scott, Campbell, Mitchell, Young, Turner, Moore, Murphy, Cooper,
  Edwards, Morris, Stewart, Baker, Allen, Ward, Hughes, Clark, Adams, Morgan, Bell, Watson, Collins,
  Cook, Shaw, Miller, Graham, Phillips, Kennedy, Murray, Richardson, Parker, Carter, Bennett, Mills,
  Hunt, Russell, Harrison, Marshall, Wallace, Hamilton, Stevens, Ross, Fraser, Reid, Jenkins, Walsh,
  Simpson, Gray, Sullivan, Butler, Webb, Grant, Barnes, Matthews, Chapman, Hayes, Price, Knight,
  Ellis, Owen, Holmes, Lloyd, Cox, Rogers, Gibson, Dixon, Elliott, Powell, Rose, Payne, Burns,
  Lawrence, Pearce, Hudson, O'Brien, O'Connor, O'Neill, McDonald, McKenzie, McLeod, Doyle, Quinn,
  Gallagher, Byrne, Kavanagh, Fitzgerald, Lynch, Brennan, Doherty, Cunningham, Fletcher, Dawson,
  Pearson, Hart, Wells, Spencer, Armstrong, Stone, Porter, Hunter, Lane, Boyd, Ferguson, Kerr, Duncan,
  Henderson, Paterson, Johnston, Crawford, Gordon, Burke, Day, Hopkins, Bailey, Howard, Fisher,
  Sanders, Riley, Jordan, Perry, Black, Barker, Palmer, Wheeler, Atkinson, Newman, Mason, Lambert,
  Francis, Hodges, Webster, Sharp, Banks, Bishop, Little, Fox, Warren, Hawkins, Woods, Dunn, Cole,
  Saunders, Bradley, Nicholson, Marsh, Gilbert, Barrett, Stephens, Sutton, Pike, Gardner, Chambers,
  Moss, Greenwood, Dean, Bates, Bond, Parsons, Hicks, Page, Chandler, Holland, Reynolds, Fowler,
  Curtis, Jennings, MacKenzie, McGregor, McIntyre, Sinclair, Hogan, Nolan, Keane, Moran, Power, Casey,
  Abbott, Ball, Barber, Barlow, Barton, Baxter, Bird, Blake, Booth, Bowen, Boyle, Bradshaw, Briggs, Brooks,
  Buckley, Burgess, Burton, Carr, Carroll, Cartwright, Clayton, Coates, Coleman, Connolly, Conway, Cross,
  Cullen, Dalton, Daly, Daniels, Davey, Davidson, Davies, Dickson, Dobson, Donnelly, Douglas, Duffy, Dyer,
  Farrell, Field, Finch, Fleming, Flynn, Foley, Forbes, Ford, Foster, Fuller, Gibbs, Gill, Glover, Goodwin,
  Gould, Griffin, Griffiths, Hammond, Hancock, Hanson, Harding, Hardy, Harper, Harvey, Hayward, Healy, Heath,
  Hewitt, Higgins, Hobbs, Holt, Horton, Howe, Humphries, Hurst, Hutchinson, Ingram, Irving, Jacobs, Jarvis,
  Kemp, Kent, Kirby, Knowles, Lamb, Lawson, Leach, Lindsay, Lowe, Lucas, Mann, Manning, McCarthy, McGrath,
  McKay, McMahon, Miles, Morton, Muir, Nash, Nelson, Newton, Noble, Norman, Norris, Norton, Oliver, Osborne,
  Owens, Parkinson, Parry, Patterson, Peacock, Perkins, Potter, Pratt, Preston, Pritchard, Ramsay, Randall,
  Rees, Rhodes, Richards, Robertson, Rowe, Sampson, Savage, Sharpe, Shepherd, Short, Sims, Skinner, Slater,
  Steele, Stevenson, Stokes, Summers, Tait, Thornton, Todd, Townsend, Tucker, Vaughan, Wade, Walters, Walton,
  Waters, Watts, Weaver, West, Whitehead, Wilkinson, Williamson, Willis, Winter, Woodward, Wyatt, Yates
`);
// A long tail of plausible English surnames, so that most people do not share a surname.
const TAIL_HEADS = words(`
  Ash, Brad, Black, Brook, Cald, Cart, Chad, Clay, Crom, Dal, Dun, Ed, Fair, Farn, Fen, Gar, Glad,
  Gold, Hal, Ham, Hart, Hay, Hol, Kings, Lang, Lind, Mar, Mid, Mil, Mor, New, Nor, Oak, Pem, Rad,
  Red, Rock, Rush, Sand, Shel, Stan, Stock, Sut, Thorn, Wal, Wake, Wat, West, Whit, Wy, Ather, Bram,
  Brent, Carl, Dray, Eller, Har, Hather, Kirk, Mal
`);
const TAIL_ENDS = words(`ley, ton, ford, field, wood, worth, by, ham, well, more, shaw, stone, cliffe, bridge, dale, wick, bury, hurst, croft, land`);
const ANGLO_FAMILY: string[] = (() => {
  const head = [...new Set(ANGLO_FAMILY_TOP)];
  const seen = new Set(head);
  const tail: string[] = [];
  // Interleave heads so that the tail is not alphabetical (rank order matters for Zipf).
  for (const end of TAIL_ENDS) {
    for (const head of TAIL_HEADS) {
      const name = head + end;
      if (!seen.has(name)) {
        seen.add(name);
        tail.push(name);
      }
    }
  }
  // A fixed, seed-independent interleaving: pools are the same for every seed.
  const mixed = tail.map((n, i) => [n, (i * 7919) % tail.length] as const).sort((a, b) => a[1] - b[1]).map((x) => x[0]);
  return [...head, ...mixed];
})();

const ANGLO_MALE = words(`
  James, John, Michael, David, Peter, Robert, Andrew, Paul, Mark, Daniel, Matthew, Christopher,
  William, Thomas, Stephen, Anthony, Richard, Benjamin, Joshua, Steven, Jack, Luke, Ryan, Nathan,
  Samuel, Adam, Scott, Jason, Brendan, Timothy, Jonathan, Nicholas, Alexander, Joseph, Patrick,
  Gregory, Kevin, Brian, Shane, Craig, Darren, Wayne, Glenn, Gary, Stuart, Ian, Kenneth, Ronald,
  Donald, Raymond, Edward, George, Henry, Harry, Oliver, Noah, Liam, Ethan, Lachlan, Hamish, Callum,
  Oscar, Charlie, Leo, Lucas, Mason, Cooper, Riley, Jayden, Dylan, Jake, Jacob, Zachary, Tyler, Aaron,
  Bradley, Blake, Corey, Dean, Frederick, Gerald, Graham, Harold, Keith, Lawrence, Leonard, Neil,
  Phillip, Rhys, Rodney, Russell, Simon, Trevor, Vincent, Warren, Douglas, Geoffrey, Barry, Colin,
  Dennis, Frank, Max, Archie, Hugo, Isaac, Toby, Xavier
`);
const ANGLO_FEMALE = words(`
  Sarah, Jessica, Emma, Jennifer, Michelle, Lisa, Karen, Nicole, Rebecca, Emily, Rachel, Elizabeth,
  Amanda, Melissa, Kylie, Katherine, Catherine, Margaret, Mary, Susan, Linda, Patricia, Deborah,
  Julie, Helen, Jane, Anne, Christine, Angela, Joanne, Kelly, Laura, Lauren, Hannah, Chloe, Olivia,
  Charlotte, Amelia, Isla, Mia, Ava, Grace, Ruby, Sophie, Zoe, Ella, Lily, Isabella, Matilda,
  Georgia, Samantha, Stephanie, Danielle, Natalie, Tanya, Fiona, Heather, Alison, Wendy, Sharon,
  Janet, Carol, Dorothy, Barbara, Judith, Pamela, Victoria, Alexandra, Jacqueline, Abigail, Megan,
  Brooke, Courtney, Bronwyn, Leah, Renée, Siobhan, Niamh, Josephine, Gabrielle, Kimberly, Tara, Erin,
  Claire, Louise, Lucy, Holly, Eleanor, Harriet, Phoebe, Madison, Jasmine, Zoë, Freya, Evie, Kate
`);

const VIET_FAMILY: readonly (readonly [string, number])[] = [
  ['Nguyen', 38], ['Tran', 11], ['Le', 9.5], ['Pham', 7], ['Hoang', 5], ['Huynh', 5], ['Phan', 4.5], ['Vu', 3.9],
  ['Vo', 3.9], ['Dang', 2.1], ['Bui', 2], ['Do', 1.4], ['Ho', 1.3], ['Ngo', 1.3], ['Duong', 1], ['Truong', 1],
  ['Ly', 0.5], ['Dinh', 0.5], ['Lam', 0.5], ['Mai', 0.3],
];
const KOREAN_FAMILY: readonly (readonly [string, number])[] = [
  ['Kim', 21], ['Lee', 15], ['Park', 8.5], ['Choi', 4.7], ['Jung', 4.4], ['Kang', 2.3], ['Cho', 2.1], ['Yoon', 2],
  ['Jang', 2], ['Lim', 1.7], ['Han', 1.5], ['Oh', 1.5], ['Seo', 1.5], ['Shin', 1.5], ['Kwon', 1.4], ['Hwang', 1.4],
  ['Ahn', 1.3], ['Song', 1.3], ['Yoo', 1.2], ['Hong', 1],
];

/** Diacritics some records carry and others drop (Vietnamese and Spanish names). */
export const ACCENTED: ReadonlyMap<string, string> = new Map([
  ['Nguyen', 'Nguyễn'], ['Tran', 'Trần'], ['Le', 'Lê'], ['Pham', 'Phạm'], ['Hoang', 'Hoàng'], ['Huynh', 'Huỳnh'],
  ['Vu', 'Vũ'], ['Vo', 'Võ'], ['Dang', 'Đặng'], ['Bui', 'Bùi'], ['Do', 'Đỗ'], ['Ho', 'Hồ'], ['Ngo', 'Ngô'],
  ['Duong', 'Dương'], ['Truong', 'Trương'], ['Ly', 'Lý'], ['Dinh', 'Đinh'], ['Lam', 'Lâm'],
  ['Tuan', 'Tuấn'], ['Hung', 'Hùng'], ['Duc', 'Đức'], ['Son', 'Sơn'], ['Dung', 'Dũng'], ['Khanh', 'Khánh'],
  ['Hai', 'Hải'], ['Phuc', 'Phúc'], ['Hieu', 'Hiếu'], ['Tien', 'Tiến'], ['Thang', 'Thắng'], ['Thao', 'Thảo'],
  ['Ngoc', 'Ngọc'], ['Phuong', 'Phương'], ['Hanh', 'Hạnh'], ['Huong', 'Hương'], ['Thuy', 'Thủy'],
  ['Quynh', 'Quỳnh'], ['Van', 'Văn'], ['Thi', 'Thị'], ['Huu', 'Hữu'], ['Quoc', 'Quốc'], ['Bich', 'Bích'],
  ['Hernandez', 'Hernández'], ['Perez', 'Pérez'], ['Sanchez', 'Sánchez'], ['Ramirez', 'Ramírez'],
  ['Gomez', 'Gómez'], ['Diaz', 'Díaz'], ['Gutierrez', 'Gutiérrez'], ['Alvarez', 'Álvarez'],
  ['Jimenez', 'Jiménez'], ['Vasquez', 'Vásquez'], ['Martinez', 'Martínez'], ['Rodriguez', 'Rodríguez'],
  ['Gonzalez', 'González'], ['Lopez', 'López'], ['Jose', 'José'], ['Jesus', 'Jesús'], ['Maria', 'María'],
  ['Sofia', 'Sofía'], ['Lucia', 'Lucía'], ['Ramon', 'Ramón'],
]);

/**
 * Real surnames of a culture followed by a seed-independent tail of plausible ones built from
 * common stems and endings (Greek -opoulos / -idis / -akis, Italian -etti / -ini, German -mann /
 * -berg …), so that, as in real registers, a few names are very common and most are rare.
 */
function withTail(real: readonly string[], stems: string, endings: string): string[] {
  const seen = new Set(real);
  const tail: string[] = [];
  for (const end of words(endings)) {
    for (const stem of words(stems)) {
      // No vowel meets a vowel ("Kosta" + "ou"): those do not look like names.
      if (/[aeiou]$/.test(stem) && /^[aeiou]/.test(end)) continue;
      const name = stem + end;
      if (!seen.has(name)) {
        seen.add(name);
        tail.push(name);
      }
    }
  }
  const mixed = tail.map((n, i) => [n, (i * 7919) % tail.length] as const).sort((a, b) => a[1] - b[1]).map((x) => x[0]);
  return [...real, ...mixed];
}

function pools(
  male: readonly string[],
  female: readonly string[],
  family: readonly string[] | readonly (readonly [string, number])[],
  opts: { middleMale?: readonly string[]; middleFemale?: readonly string[]; middleRate?: number; familyS?: number; familyQ?: number } = {},
): NamePools {
  const fam =
    typeof family[0] === 'string'
      ? WeightedTable.zipf(family as readonly string[], opts.familyS ?? 1, opts.familyQ ?? 2)
      : new WeightedTable(family as readonly (readonly [string, number])[]);
  return {
    male: WeightedTable.zipf(male, 0.9, 4),
    female: WeightedTable.zipf(female, 0.9, 4),
    family: fam,
    middleMale: opts.middleMale ?? [],
    middleFemale: opts.middleFemale ?? [],
    middleRate: opts.middleRate ?? 0,
  };
}

/** Pools of every culture except Chinese (see chinese-names.ts). */
export const NAME_POOLS: Readonly<Record<Exclude<Culture, 'chinese'>, NamePools>> = {
  anglo: pools(ANGLO_MALE, ANGLO_FEMALE, ANGLO_FAMILY, {
    middleMale: ANGLO_MALE.slice(0, 40),
    middleFemale: ['Anne', 'Louise', 'Jane', 'Marie', 'Elizabeth', 'Rose', 'Grace', 'Kate', 'May', 'Claire', 'Jean', 'Lee'],
    middleRate: 0.45,
    // Smith ≈ 2 % of Anglo surnames, the ~370 real surnames ≈ 78 %, the made-up tail ≈ 22 %.
    familyS: 1.1,
    familyQ: 12,
  }),
  vietnamese: pools(
    words('Minh, Tuan, Hung, Duc, Huy, Long, Nam, Quang, Son, Dung, Khanh, Hai, Thanh, Phuc, Trung, Vinh, Bao, Hieu, Tien, Thang'),
    words('Linh, Anh, Thao, Lan, Hoa, Mai, Ngoc, Phuong, Trang, Hanh, Huong, Thu, Nhung, Hang, Yen, Nga, Vy, Quynh, Thuy, Tam'),
    VIET_FAMILY,
    { middleMale: ['Van', 'Van', 'Van', 'Duc', 'Minh', 'Quoc', 'Thanh', 'Huu'], middleFemale: ['Thi', 'Thi', 'Thi', 'Ngoc', 'Thanh', 'Minh', 'Kim', 'Bich'], middleRate: 0.85 },
  ),
  indian: pools(
    words('Rajesh, Amit, Rahul, Arjun, Vikram, Sanjay, Suresh, Anil, Deepak, Harpreet, Gurpreet, Manpreet, Ravi, Aditya, Rohan, Vijay, Ashok, Karan, Nikhil, Pradeep, Sunil, Ajay, Manish, Varun'),
    words('Priya, Anjali, Pooja, Neha, Divya, Kavya, Sunita, Lakshmi, Deepa, Shreya, Harpreet, Simran, Asha, Meera, Nisha, Sneha, Ritu, Swati, Anita, Jaspreet'),
    words(`Singh, Patel, Sharma, Kumar, Kaur, Gupta, Shah, Reddy, Verma, Iyer, Nair, Rao, Das, Joshi, Mehta, Chopra, Malhotra, Mishra,
      Agarwal, Desai, Jain, DSouza, Pillai, Menon, Fernandes, Khanna, Bhatt, Chaudhary, Banerjee, Mukherjee, Bhatia, Chauhan,
      Dubey, Goel, Iyengar, Kapoor, Kulkarni, Naidu, Pandey, Saxena, Sethi, Sinha, Srinivasan, Tiwari, Yadav, Arora, Bose,
      Ghosh, Dutta, Chatterjee, Krishnan, Subramanian, Raman, Venkatesh, Thakur, Bajwa, Gill, Sandhu, Dhillon, Grewal, Sidhu,
      Parikh, Trivedi, Shetty, Hegde, Kamath, Prasad, Mohan, Chandra, Bhattacharya`).map((n) => (n === 'DSouza' ? "D'Souza" : n)),
  ),
  italian: pools(
    words('Giuseppe, Antonio, Giovanni, Marco, Luca, Salvatore, Francesco, Mario, Alessandro, Roberto, Paolo, Vincenzo, Domenico, Angelo, Carlo, Matteo'),
    words('Maria, Giulia, Francesca, Anna, Rosa, Chiara, Sara, Laura, Angela, Giuseppina, Lucia, Carmela, Teresa, Elena, Alessia, Valentina'),
    withTail(
      words(`Rossi, Russo, Ferrari, Esposito, Bianchi, Romano, Colombo, Ricci, Marino, Greco, Bruno, Gallo, Conti, De Luca, Costa,
        Giordano, Mancini, Rizzo, Lombardi, Moretti, Barbieri, Fontana, Santoro, Mariani, Rinaldi, Caruso, Ferrara, Galli, Martini,
        Leone, Longo, Gentile, Martinelli, Vitale, Lombardo, Serra, Coppola, De Santis, D'Angelo, Marchetti`),
      'Bel, Bon, Bru, Cal, Cam, Car, Cas, Cor, Fer, Gal, Gra, Lom, Mar, Mon, Pal, Par, Pel, Ros, San, Ser, Tor, Val, Vit, Zan, Bar, Fra, Cat, Pic, Ber, Mil',
      'etti, ini, elli, ucci, one, ato, ello, azzi, otti, ardi, esi, ieri',
    ),
    { familyS: 1, familyQ: 4 },
  ),
  greek: pools(
    words('Giorgos, Nikos, Dimitri, Kostas, Yiannis, Christos, Panagiotis, Vasilios, Michalis, Spiros, Theo, Con'),
    words('Eleni, Sophia, Katerina, Despina, Maria, Georgia, Angeliki, Vasiliki, Dimitra, Anastasia, Christina, Voula'),
    withTail(
      words(`Papadopoulos, Nikolaidis, Georgiou, Pappas, Demetriou, Karagiannis, Papadakis, Vlahos, Christodoulou, Ioannou,
        Konstantinou, Antoniou, Dimitriou, Alexiou, Panagiotopoulos, Economou, Kouris, Stavrou, Markou, Angelopoulos`),
      'Papa, Niko, Georgi, Dimitr, Kosta, Christo, Ioann, Vasil, Panag, Alexandr, Andre, Stavr, Mich, Theodor, Angel, Karagian, Manol, Spyr, Lamb, Petr, Athan, Kyriak, Char, Zachar, Tsak',
      'opoulos, idis, akis, ou, as, iou, ides, elis',
    ),
    { familyS: 1, familyQ: 4 },
  ),
  arabic: pools(
    words('Mohammed, Ahmed, Omar, Ali, Bilal, Tariq, Hassan, Ibrahim, Khaled, Mahmoud, Youssef, Karim, Sami, Fadi, Rami, Ziad, Mustafa'),
    words('Fatima, Yasmin, Amira, Zainab, Layla, Mariam, Nour, Rania, Aisha, Sara, Hana, Leila, Rana, Dina, Maya'),
    words(`Khoury, Haddad, Nassar, Saleh, Khalil, Ibrahim, Hassan, Ali, Ahmed, Mohamed, Khan, Hussain, Abdallah, Farah, Habib,
      Issa, Youssef, Mansour, Saab, Rahme, Qureshi, Rahman, Karimi, Hosseini, Aziz, Darwish, Fakhoury, Ghanem, Hamdan, Harb,
      Jaber, Kassem, Makhoul, Nader, Obeid, Rizk, Sabbagh, Shaheen, Tannous, Yassine, Zein, Awad, Barakat, Chahine, Daher,
      Elias, Fares, Hanna, Karam, Nasr, Salem, Tohme, Geagea, Sleiman, Moussa, Abboud, Bitar, Chidiac, Semaan`),
  ),
  filipino: pools(
    words('Jose, Juan, Mark, John Paul, Christian, Angelo, Jerome, Ramon, Carlo, Paolo'),
    words('Maria, Mary Grace, Kristine, Jennifer, Joy, Angelica, Rowena, Marites, Lorna, Princess'),
    words('Santos, Reyes, Cruz, Bautista, Garcia, Mendoza, Ramos, Aquino, Dela Cruz, Villanueva, Castillo, Torres, Flores, Rivera, Gonzales, Fernandez, Lopez, Del Rosario'),
  ),
  korean: pools(
    words('Min-jun, Ji-ho, Seo-jun, Hyun-woo, Jae-won, Dong-hyun, Sung-min, Jin-woo, Young-ho, Sang-hoon'),
    words('Ji-woo, Seo-yeon, Ha-eun, Min-ji, Soo-jin, Eun-ji, Hye-jin, Ji-young, Yu-na, Seo-hyun'),
    KOREAN_FAMILY,
  ),
  german: pools(
    words(`Lukas, Maximilian, Alexander, Paul, Leon, Felix, Jonas, Stefan, Thomas, Michael, Andreas, Christian, Markus, Daniel,
      Tobias, Florian, Sebastian, Jürgen, Klaus, Wolfgang, Uwe, Jan, Tim, Niklas, Johannes`),
    words(`Anna, Laura, Julia, Lea, Lena, Sophie, Marie, Katharina, Sabine, Petra, Monika, Andrea, Claudia, Stefanie, Nicole,
      Susanne, Birgit, Ursula, Jana, Hannah, Lisa, Sarah, Franziska, Jessica, Jennifer`),
    withTail(
      words(`Müller, Schmidt, Schneider, Fischer, Weber, Meyer, Wagner, Becker, Schulz, Hoffmann, Schäfer, Koch, Bauer, Richter,
        Klein, Wolf, Schröder, Neumann, Schwarz, Zimmermann, Braun, Krüger, Hofmann, Hartmann, Lange, Schmitt, Werner, Schmitz,
        Krause, Meier, Lehmann, Schmid, Schulze, Maier, Köhler, Herrmann, König, Walter, Mayer, Huber, Kaiser, Fuchs, Peters,
        Lang, Scholz, Möller, Weiß, Jung, Hahn, Schubert, Vogel, Friedrich, Keller, Günther, Frank, Berger, Winkler, Roth, Beck, Lorenz`),
      'Acker, Berg, Brand, Busch, Eck, Feld, Frei, Fried, Gold, Groß, Hart, Hof, Holz, Horn, Kirch, Lind, Mühl, Neu, Ober, Reich, Rosen, Schön, Stein, Sonn, Wald, Wein, Bruck, Hage, Linden, Stock',
      'mann, er, berg, feld, hof, bach, meier, hausen, stein, ler, brunner, inger',
    ),
    { middleMale: ['Peter', 'Michael', 'Johannes', 'Josef', 'Karl'], middleFemale: ['Maria', 'Sophie', 'Luise', 'Marie'], middleRate: 0.2, familyS: 0.9, familyQ: 3 },
  ),
  turkish: pools(
    words('Mehmet, Mustafa, Ahmet, Ali, Hüseyin, Hasan, İbrahim, Murat, Emre, Burak'),
    words('Ayşe, Fatma, Emine, Hatice, Zeynep, Elif, Merve, Özlem, Esra, Leyla'),
    words('Yılmaz, Kaya, Demir, Şahin, Çelik, Yıldız, Yıldırım, Öztürk, Aydın, Özdemir, Arslan, Doğan, Kılıç, Aslan, Çetin'),
  ),
  hispanic: pools(
    words('Jose, Juan, Luis, Carlos, Jorge, Miguel, Pedro, Jesus, Alejandro, Diego, Mateo, Javier, Daniel, Ricardo, Fernando'),
    words('Maria, Guadalupe, Ana, Sofia, Lucia, Camila, Valentina, Isabella, Gabriela, Daniela, Carmen, Rosa, Elena, Mariana, Paula'),
    words(`Garcia, Rodriguez, Martinez, Hernandez, Lopez, Gonzalez, Perez, Sanchez, Ramirez, Torres, Flores, Rivera, Gomez, Diaz,
      Reyes, Morales, Cruz, Ortiz, Gutierrez, Chavez, Ramos, Ruiz, Alvarez, Mendoza, Castillo, Jimenez, Vasquez, Moreno, Romero,
      Herrera, Medina, Aguilar, Vargas, Castro, Guzman, Fernandez, Salazar, Soto, Delgado, Pena, Rios, Contreras, Sandoval,
      Guerrero, Estrada, Nunez, Dominguez, Vega, Cabrera, Navarro, Campos, Cortez, Luna, Juarez, Fuentes, Molina, Ayala`),
  ),
};

/** English given names that Chinese, Korean and Vietnamese Australians often use. */
export const ADOPTED_ENGLISH_MALE: readonly string[] = words('Kevin, Jason, Eric, Michael, David, Daniel, Tony, Andy, Vincent, Jack, Peter, Alan, Henry, Raymond, Frank, Jimmy');
export const ADOPTED_ENGLISH_FEMALE: readonly string[] = words('Grace, Amy, Helen, Cindy, Vivian, Jenny, Annie, Joyce, Emily, Irene, Angela, Tiffany, Michelle, Winnie, Crystal, Lily');

/** Nicknames by formal given name (both directions are used). */
export const NICKNAMES: ReadonlyMap<string, readonly string[]> = new Map(
  (
    [
      ['Robert', 'Bob, Rob, Bobby, Robbie'], ['William', 'Bill, Will, Billy'], ['Elizabeth', 'Liz, Beth, Lizzie, Betty'],
      ['Katherine', 'Kate, Kathy, Katie'], ['Catherine', 'Cathy, Kate, Cath'], ['James', 'Jim, Jimmy, Jamie'],
      ['Michael', 'Mike, Mick, Mikey'], ['Christopher', 'Chris, Topher'], ['Anthony', 'Tony, Ant'], ['Thomas', 'Tom, Tommy'],
      ['Daniel', 'Dan, Danny'], ['Matthew', 'Matt'], ['Steven', 'Steve'], ['Stephen', 'Steve'], ['Jennifer', 'Jenny, Jen'],
      ['Margaret', 'Maggie, Marg, Peggy'], ['Richard', 'Rick, Rich, Dick'], ['Joseph', 'Joe, Joey'], ['Benjamin', 'Ben, Benny'],
      ['Samuel', 'Sam, Sammy'], ['Alexander', 'Alex, Xander'], ['Andrew', 'Andy, Drew'], ['Edward', 'Ed, Ted, Eddie'],
      ['Patricia', 'Pat, Trish, Patty'], ['Rebecca', 'Becky, Bec'], ['Jessica', 'Jess, Jessie'], ['Samantha', 'Sam'],
      ['Nicholas', 'Nick, Nicky'], ['Jonathan', 'Jon, Jono'], ['Timothy', 'Tim'], ['Gregory', 'Greg'], ['Peter', 'Pete'],
      ['David', 'Dave, Davo'], ['Kimberly', 'Kim'], ['Victoria', 'Vicky, Tori'], ['Susan', 'Sue, Susie'],
      ['Deborah', 'Deb, Debbie'], ['Alexandra', 'Alex, Lexie'], ['Charlotte', 'Charlie, Lottie'], ['Abigail', 'Abby'],
      ['Zachary', 'Zach'], ['Frederick', 'Fred, Freddie'], ['Gerald', 'Gerry'], ['Lawrence', 'Larry'], ['Raymond', 'Ray'],
      ['Ronald', 'Ron, Ronnie'], ['Donald', 'Don'], ['Kenneth', 'Ken, Kenny'], ['Douglas', 'Doug'], ['Phillip', 'Phil'],
      ['Nathan', 'Nate'], ['Joshua', 'Josh'], ['Jacob', 'Jake'], ['Christine', 'Chris, Chrissy'], ['Jacqueline', 'Jackie'],
      ['Pamela', 'Pam'], ['Barbara', 'Barb'], ['Dorothy', 'Dot, Dottie'], ['Josephine', 'Jo, Josie'], ['Joanne', 'Jo'],
      ['Gabrielle', 'Gabby'], ['Natalie', 'Nat'], ['Amanda', 'Mandy'], ['Melissa', 'Mel'], ['Stephanie', 'Steph'],
      ['Geoffrey', 'Geoff'], ['Leonard', 'Len, Lenny'], ['Harold', 'Harry'], ['Henry', 'Harry, Hank'], ['Isabella', 'Bella, Izzy'],
      ['Eleanor', 'Ellie, Nell'], ['Jonathon', 'Jon'], ['Maximilian', 'Max'], ['Johannes', 'Hannes'], ['Katharina', 'Kathi'],
      ['Giuseppe', 'Joe, Pino'], ['Francesca', 'Fran'], ['Vasilios', 'Bill'], ['Konstantinos', 'Con'], ['Panagiotis', 'Peter'],
      ['Alejandro', 'Alex'], ['Guadalupe', 'Lupe'], ['Mohammed', 'Mo'], ['Abdullah', 'Abdul'],
    ] as const
  ).map(([formal, nicks]) => [formal, words(nicks)] as const),
);

/** Formal names by nickname. */
export const FORMAL_NAMES: ReadonlyMap<string, readonly string[]> = (() => {
  const m = new Map<string, string[]>();
  for (const [formal, nicks] of NICKNAMES) for (const n of nicks) (m.get(n) ?? m.set(n, []).get(n)!).push(formal);
  return m;
})();

/**
 * Common English given-name variants: each line is a formal name and the short forms people
 * use for it. Reference data about names, not tuned to any data set. Two names are nickname
 * equivalent when they share a formal name ("Bob" and "Rob" both stand for Robert; "Chris"
 * for Christopher and Christine).
 */
const GROUPS = `
abigail abby abbie gail
alexander alex alec alexis sandy xander
alexandra alex alexa sandra sandy lexi
alfred alf alfie fred freddie
allison ali allie
andrew andy drew
angela angie
anthony tony ant
arthur art artie
barbara barb babs barbie
benjamin ben benny benji
bernard bernie
beverly bev
bradley brad
catherine cathy cath kate katie kathy cat
katherine kate katie kathy kat kath kit
kathleen kathy kate katie
caroline carol carrie caz
charles charlie chuck chas chaz
charlotte charlie lottie lotte
christine chris chrissy tina
christina chris chrissy tina
christopher chris kit topher
cynthia cindy
daniel dan danny
david dave davy
deborah deb debbie debby
dennis den
donald don donnie
dorothy dot dottie dolly
douglas doug
edward ed eddie ted teddy ned
edwin ed eddie
eleanor ellie nora nell
elizabeth liz lizzie beth betty bess bessie eliza lisa libby elsie
emily em emmy
frances fran frannie
francis frank fran
frederick fred freddie fritz
gabriel gabe
gabrielle gabby
geoffrey geoff jeff
gerald gerry jerry
gregory greg
harold harry hal
henry harry hank hal
isabel izzy bella isabelle
isabella izzy bella
jacob jake
james jim jimmy jamie
janet jan
jennifer jen jenny jenn
jessica jess jessie
jonathan jon jonny
joseph joe joey jos
joshua josh
judith judy jude
julia julie jules
kenneth ken kenny
kimberly kim
lawrence larry laurie
leonard len lenny leo
louis lou louie
lucinda lucy cindy
margaret maggie meg peggy marge madge greta daisy
marjorie marge margie
martin marty
matthew matt matty
megan meg
melissa mel missy
michael mike mick mikey mickey
michelle shelly
nathan nate nat
nathaniel nate nat nathan
nicholas nick nicky
nicole nicky nikki
oliver ollie
pamela pam
patricia pat patty trish tricia
patrick pat paddy
peter pete
philip phil pip
phillip phil
rebecca becky becca
richard rick ricky dick rich richie
robert bob bobby rob robbie bert
roberta bobbie robbie
ronald ron ronnie
rosemary rose rosie
samantha sam sammy
samuel sam sammy
sandra sandy
sarah sally sadie
stephanie steph
stephen steve stevie
steven steve stevie
susan sue susie suzy
suzanne sue suzy
terence terry
teresa terry tess tessa
theresa terry tess tessa
thomas tom tommy
timothy tim timmy
valerie val
victoria vicky tori
vincent vince vinnie
walter walt wally
william bill billy will willie liam
zachary zach zack
`;

const roots = new Map<string, string[]>();
for (const line of GROUPS.trim().split('\n')) {
  const [formal, ...short] = line.trim().split(/\s+/);
  if (!formal) continue;
  for (const n of [formal, ...short]) {
    const list = roots.get(n) ?? [];
    if (!list.includes(formal)) list.push(formal);
    roots.set(n, list);
  }
}

/** True when two folded given names stand for the same formal name. */
export function isNickname(a: string, b: string): boolean {
  const ra = roots.get(a);
  const rb = roots.get(b);
  if (!ra || !rb) return false;
  for (const r of ra) if (rb.includes(r)) return true;
  return false;
}

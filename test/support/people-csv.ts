/**
 * A CSV of `rows` people with sensitive values, bad ones among them (an e-mail, a phone and a
 * birth date that fail validation every few dozen rows: rejects), one city value too long (row
 * `longAt`) and, after the rows `broken` picks, the line it gives (a malformed row).
 * Columns: id, given, family, email, phone, birth, city.
 */
export function peopleCsv(rows: number, longAt: number, broken: (i: number) => string | null): string {
  const lines = ['id,given,family,email,phone,birth,city'];
  for (let i = 1; i <= rows; i++) {
    const email = i % 97 === 0 ? `not-an-email-${i}` : `p${i}@postmail.de`;
    const phone = i % 89 === 0 ? '12' : `+44 20 7946 ${String(i % 10_000).padStart(4, '0')}`;
    const birth = i % 83 === 0 ? '1985-13-45' : `19${50 + (i % 50)}-0${1 + (i % 9)}-1${i % 10}`;
    const city = i === longAt ? 'x'.repeat(5_000) : i % 3 ? 'London' : 'Zürich';
    lines.push(`${i},Given${i},Family${i % 50},${email},${phone},${birth},${city}`);
    const b = broken(i);
    if (b !== null) lines.push(b);
  }
  return `${lines.join('\n')}\n`;
}

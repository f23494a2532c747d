import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { MYSQL_URL, PG_URL } from './stores.js';

/** The servers an ERP fixture can live on. */
export type ErpDialect = 'postgres' | 'mysql';
export const ERP_DIALECTS: readonly ErpDialect[] = ['postgres', 'mysql'];

/** A seeded `customers` row, as the tests expect to read it back. */
export interface ErpCustomer {
  id: number;
  /** The ERP's business key; NULL for drafts, blank once. */
  customer_no: string | null;
  name: string;
  tax_id: string | null;
  is_deleted: boolean;
  /** `YYYY-MM-DD HH:MM:SS.ffffff` in UTC, or NULL for legacy rows. */
  updated_at: string | null;
}

/** A seeded ERP schema on one server, and what a test needs to use it. */
export interface ErpDatabase {
  readonly dialect: ErpDialect;
  /**
   * The URL for a source's `url`: PG_URL (tables in {@link schema}: give the source
   * `schema: <schema>`) or MYSQL_URL with the fixture's database as its path.
   */
  readonly url: string;
  /** PostgreSQL schema or MySQL database holding the tables (random, one per test file). */
  readonly schema: string;
  readonly customers: readonly ErpCustomer[];
  /** A SELECT joining customers, their primary contact and their address: one row per customer. */
  readonly customerQuery: string;
  /** Runs SQL as the admin user, `?` placeholders on both servers; returns the rows. */
  execute(sql: string, params?: readonly unknown[]): Promise<Record<string, unknown>[]>;
  /** Copies a table (columns, keys, indexes, rows) under a new name, for tests that change rows. */
  copyTable(from: string, to: string): Promise<void>;
  /** Drops the schema or database and closes the admin connection. */
  drop(): Promise<void>;
}

// Deterministic, so a failure reproduces: mulberry32.
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CN_FAMILY = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙', '欧阳', '司马'];
const CN_GIVEN = ['伟', '芳', '娜', '秀英', '敏', '静', '丽', '强', '磊', '军', '洋', '艳', '勇', '杰', '娟'];
const CN_COMPANY = ['北京华信科技有限公司', '上海东方贸易有限公司', '深圳市腾达电子有限公司', '广州白云物流有限公司', '杭州西湖茶业有限公司'];
const EN_GIVEN = ['Olivia', 'Jack', 'Charlotte', 'William', 'Amelia', 'Noah', 'Isla', 'Oliver', 'Mia', 'Thomas', 'Siobhán', 'Zoë', 'José'];
const EN_FAMILY = ['Smith', 'Jones', 'Williams', 'Brown', 'Wilson', 'Taylor', "O'Brien", 'Nguyen', 'Müller', 'García', 'van der Berg'];
const EN_COMPANY = ['Acme Pty Ltd', 'Southern Cross Traders', 'Blue Gum Logistics Pty Ltd', 'Harbour Bridge Consulting', 'Kookaburra Foods Ltd'];
const CITIES: [string, string, string][] = [
  ['Sydney', '2000', 'AU'],
  ['Melbourne', '3000', 'AU'],
  ['Brisbane', '4000', 'AU'],
  ['北京', '100000', 'CN'],
  ['上海', '200000', 'CN'],
  ['Auckland', '1010', 'NZ'],
];
const STREETS = ['George St', 'Collins St', 'Queen St', '长安街', '南京路', 'Ponsonby Rd'];

/** Rows that share one updated_at (ties the key must break), and the legacy rows without one. */
export const TIED_AT = '2024-03-01 09:00:00.000000';
export const TIED_IDS = { from: 40, to: 99 } as const;
export const NULL_UPDATED_IDS = [5, 6] as const;

function seedCustomers(count: number): ErpCustomer[] {
  const rnd = prng(20240301);
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const out: ErpCustomer[] = [];
  const base = Date.UTC(2024, 0, 1);
  for (let id = 1; id <= count; id++) {
    const chinese = id % 3 === 0;
    const company = id % 4 === 0;
    let name = company ? pick(chinese ? CN_COMPANY : EN_COMPANY) : chinese ? `${pick(CN_FAMILY)}${pick(CN_GIVEN)}` : `${pick(EN_GIVEN)} ${pick(EN_FAMILY)}`;
    if (id % 10 === 1) name = `  ${name} `; // padded in the ERP: read back trimmed
    if (id % 25 === 2) name = `${name}\u3000`; // a trailing ideographic space
    let updated: string | null;
    if ((NULL_UPDATED_IDS as readonly number[]).includes(id)) updated = null;
    else if (id >= TIED_IDS.from && id <= TIED_IDS.to) updated = TIED_AT;
    else if (id >= 100 && id <= 119) updated = '2024-03-01 09:00:00.000001'; // one microsecond later
    else {
      const ms = base + id * 3_571_000;
      const micros = String((id * 7919) % 1_000_000).padStart(6, '0');
      updated = `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')}.${micros}`;
    }
    out.push({
      id,
      customer_no: id === 17 || id === 101 || id === 250 ? null : id === 77 ? '   ' : `C${String(id).padStart(6, '0')}`,
      name,
      tax_id: id % 5 === 0 ? null : chinese ? `91110000${String(id * 7331).padStart(9, '0')}X` : String(51_824_753_556 + id),
      is_deleted: id % 37 === 0,
      updated_at: updated,
    });
  }
  return out;
}

/** The SELECT over the fixture's tables (unqualified: a source sets `schema`, MySQL's URL names the database). */
const CUSTOMER_QUERY = `SELECT c.id, c.customer_no, c.name, c.tax_id, c.is_deleted, c.updated_at,
       p.first_name, p.last_name, p.email, p.phone, p.birthday,
       a.street, a.city, a.postcode, a.country
  FROM customers c
  LEFT JOIN contacts p ON p.customer_id = c.id AND p.is_primary
  LEFT JOIN addresses a ON a.customer_id = c.id`;

function ddl(dialect: ErpDialect): string[] {
  if (dialect === 'postgres') {
    return [
      `CREATE TABLE customers (id integer PRIMARY KEY, customer_no varchar(20) UNIQUE, name text NOT NULL, tax_id varchar(32),
         is_deleted boolean NOT NULL DEFAULT false, updated_at timestamptz)`,
      'CREATE INDEX customers_updated_no ON customers (updated_at, customer_no)',
      'CREATE INDEX customers_updated_id ON customers (updated_at, id)',
      `CREATE TABLE contacts (id integer PRIMARY KEY, customer_id integer NOT NULL REFERENCES customers (id), is_primary boolean NOT NULL,
         first_name text, last_name text, email text, phone text, birthday date)`,
      'CREATE INDEX contacts_customer ON contacts (customer_id)',
      `CREATE TABLE addresses (id integer PRIMARY KEY, customer_id integer NOT NULL REFERENCES customers (id),
         street text, city text, postcode varchar(10), country char(2))`,
      'CREATE INDEX addresses_customer ON addresses (customer_id)',
      // A function that writes: a where that calls it must be refused by the read-only session.
      `CREATE FUNCTION touch_customers() RETURNS integer LANGUAGE sql AS
         'UPDATE customers SET updated_at = updated_at WHERE id = 1; SELECT 1'`,
    ];
  }
  const table = 'ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci';
  return [
    `CREATE TABLE customers (id INT PRIMARY KEY, customer_no VARCHAR(20) NULL UNIQUE, name VARCHAR(200) NOT NULL, tax_id VARCHAR(32) NULL,
       is_deleted BOOLEAN NOT NULL DEFAULT FALSE, updated_at DATETIME(6) NULL,
       INDEX customers_updated_no (updated_at, customer_no), INDEX customers_updated_id (updated_at, id)) ${table}`,
    `CREATE TABLE contacts (id INT PRIMARY KEY, customer_id INT NOT NULL, is_primary BOOLEAN NOT NULL,
       first_name VARCHAR(100), last_name VARCHAR(100), email VARCHAR(200), phone VARCHAR(40), birthday DATE,
       INDEX contacts_customer (customer_id), FOREIGN KEY (customer_id) REFERENCES customers (id)) ${table}`,
    `CREATE TABLE addresses (id INT PRIMARY KEY, customer_id INT NOT NULL, street VARCHAR(200), city VARCHAR(100), postcode VARCHAR(10), country CHAR(2),
       INDEX addresses_customer (customer_id), FOREIGN KEY (customer_id) REFERENCES customers (id)) ${table}`,
    `CREATE FUNCTION touch_customers() RETURNS INT MODIFIES SQL DATA
       BEGIN UPDATE customers SET updated_at = updated_at WHERE id = 1; RETURN 1; END`,
  ];
}

function contactsAndAddresses(customers: readonly ErpCustomer[]): { contacts: unknown[][]; addresses: unknown[][] } {
  const rnd = prng(7);
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const contacts: unknown[][] = [];
  const addresses: unknown[][] = [];
  for (const c of customers) {
    const chinese = c.id % 3 === 0;
    const n = 1 + (c.id % 2);
    for (let j = 0; j < n; j++) {
      const first = chinese ? pick(CN_GIVEN) : pick(EN_GIVEN);
      const last = chinese ? pick(CN_FAMILY) : pick(EN_FAMILY);
      const birthday = c.id % 6 === 0 ? null : `19${50 + (c.id % 50)}-${String(1 + (c.id % 12)).padStart(2, '0')}-${String(1 + (c.id % 28)).padStart(2, '0')}`;
      contacts.push([contacts.length + 1, c.id, j === 0, first, last, `contact${contacts.length + 1}@example.com`, chinese ? `+86 138 ${String(c.id * 97).padStart(4, '0')} 0000` : `0412 ${String(c.id * 31).padStart(3, '0')} 000`, birthday]);
    }
    const [city, postcode, country] = pick(CITIES);
    addresses.push([c.id, c.id, `${1 + (c.id % 200)} ${pick(STREETS)}`, city, postcode, country]);
  }
  return { contacts, addresses };
}

/** `t_<hint>_<random>`: a valid schema/database name nobody else uses. */
function isolatedName(hint: string): string {
  const slug = hint.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 20);
  return `erp_${slug}_${randomBytes(4).toString('hex')}`;
}

interface Admin {
  execute(sql: string, params?: readonly unknown[]): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

async function pgAdmin(schema: string): Promise<Admin> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  await client.query(`SET TIME ZONE 'UTC'`);
  await client.query(`CREATE SCHEMA "${schema}"`);
  await client.query(`SET search_path TO "${schema}"`);
  return {
    async execute(sql, params = []) {
      let n = 0;
      const res = await client.query(sql.replace(/\?/g, () => `$${++n}`), [...params]);
      return res.rows as Record<string, unknown>[];
    },
    close: () => client.end(),
  };
}

async function mysqlAdmin(database: string): Promise<Admin> {
  const url = new URL(MYSQL_URL);
  const connection = await mysql.createConnection({
    host: url.hostname,
    port: url.port === '' ? 3306 : Number(url.port),
    user: decodeURIComponent(url.username) || 'root',
    password: decodeURIComponent(url.password),
    charset: 'utf8mb4',
    dateStrings: true,
  });
  await connection.query(`CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await connection.query(`USE \`${database}\``);
  await connection.query(`SET time_zone = '+00:00'`);
  return {
    async execute(sql, params = []) {
      const [rows] = await connection.query(sql, [...params]);
      return Array.isArray(rows) ? (rows as Record<string, unknown>[]) : [];
    },
    close: () => connection.end(),
  };
}

async function insertRows(admin: Admin, table: string, columns: readonly string[], rows: readonly unknown[][]): Promise<void> {
  for (let i = 0; i < rows.length; i += 200) {
    const chunk = rows.slice(i, i + 200);
    const tuple = `(${columns.map(() => '?').join(', ')})`;
    await admin.execute(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${chunk.map(() => tuple).join(', ')}`, chunk.flat());
  }
}

/**
 * Creates and seeds the ERP fixture on one server: PostgreSQL (database `test` of PG_URL, a new
 * schema) or MariaDB/MySQL (a new database on MYSQL_URL's server). Tables `customers` (300 rows
 * by default: Chinese and Western names, padded values, 60 rows sharing one updated_at and 20
 * one microsecond later, 2 with NULL updated_at, drafts with NULL customer_no, one blank,
 * soft-deleted rows), `contacts` (1–2 per customer, one primary) and `addresses`, plus a
 * function `touch_customers()` that writes. Drop it with {@link ErpDatabase.drop}.
 *
 * @param hint a name hint for the schema/database (the test file's name).
 */
export async function createErpDatabase(dialect: ErpDialect, hint: string, opts: { customers?: number } = {}): Promise<ErpDatabase> {
  const schema = isolatedName(hint);
  const admin = dialect === 'postgres' ? await pgAdmin(schema) : await mysqlAdmin(schema);
  const drop = async (): Promise<void> => {
    try {
      await admin.execute(dialect === 'postgres' ? `DROP SCHEMA IF EXISTS "${schema}" CASCADE` : `DROP DATABASE IF EXISTS \`${schema}\``);
    } finally {
      await admin.close();
    }
  };
  try {
    for (const statement of ddl(dialect)) await admin.execute(statement);
    const customers = seedCustomers(opts.customers ?? 300);
    await insertRows(
      admin,
      'customers',
      ['id', 'customer_no', 'name', 'tax_id', 'is_deleted', 'updated_at'],
      customers.map((c) => [c.id, c.customer_no, c.name, c.tax_id, c.is_deleted, c.updated_at]),
    );
    const { contacts, addresses } = contactsAndAddresses(customers);
    await insertRows(admin, 'contacts', ['id', 'customer_id', 'is_primary', 'first_name', 'last_name', 'email', 'phone', 'birthday'], contacts);
    await insertRows(admin, 'addresses', ['id', 'customer_id', 'street', 'city', 'postcode', 'country'], addresses);
    let url: string;
    if (dialect === 'postgres') url = PG_URL;
    else {
      const u = new URL(MYSQL_URL);
      u.pathname = `/${schema}`;
      url = u.toString();
    }
    return {
      dialect,
      url,
      schema,
      customers,
      customerQuery: CUSTOMER_QUERY,
      execute: (sql, params) => admin.execute(sql, params),
      async copyTable(from, to) {
        if (dialect === 'postgres') {
          await admin.execute(`CREATE TABLE "${to}" (LIKE "${from}" INCLUDING ALL)`);
        } else {
          await admin.execute(`CREATE TABLE \`${to}\` LIKE \`${from}\``);
        }
        await admin.execute(`INSERT INTO ${to} SELECT * FROM ${from}`);
      },
      drop,
    };
  } catch (err) {
    await drop();
    throw err;
  }
}

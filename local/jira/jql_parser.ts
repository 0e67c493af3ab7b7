/**
 * Parses the subset of JQL the emulator evaluates:
 *
 *   query   := [clause (AND clause)*] [ORDER BY field [ASC|DESC] (, field [ASC|DESC])*]
 *   clause  := field op value | field [NOT] IN ( value (, value)* )
 *   op      := = | != | < | <= | > | >= | ~ | !~ | IS | IS NOT
 *   value   := word | "string" | 'string' | function(args) | EMPTY | NULL
 *
 * `&&`/`&` are accepted for AND, as Jira does. OR, NOT, and parenthesised
 * groups are valid JQL that this emulator does not evaluate; they are rejected
 * with a 400 that says so, rather than silently counting something else. The
 * parser only knows grammar; which fields and operators make sense is decided
 * when the query is compiled against a site (jql_query.ts).
 */

/** A JQL problem Jira reports as 400 {errorMessages:[message]}. */
export class JqlError extends Error {
  override readonly name = 'JqlError';
}

export type JqlOperator = '=' | '!=' | '<' | '<=' | '>' | '>=' | '~' | '!~' | 'in' | 'not in' | 'is' | 'is not';

export type JqlValue =
  { kind: 'literal'; text: string } | { kind: 'function'; name: string; args: string[] } | { kind: 'empty' };

export interface JqlClause {
  /** The field as written, without quotes. */
  field: string;
  operator: JqlOperator;
  values: JqlValue[];
}

export interface JqlQuery {
  clauses: JqlClause[];
  orderBy: Array<{ field: string; direction: 'asc' | 'desc' }>;
}

interface Token {
  kind: 'word' | 'string' | 'operator' | 'punct';
  text: string;
  /** 1-based character position, as Jira reports it. */
  at: number;
}

const OPERATORS = ['!=', '<=', '>=', '!~', '=', '<', '>', '~'];
const WORD_STOP = /[\s"'=!<>(),~]/;

function tokenize(jql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < jql.length) {
    const c = jql[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === '"' || c === "'") {
      const start = i++;
      let text = '';
      while (i < jql.length && jql[i] !== c) {
        if (jql[i] === '\\' && i + 1 < jql.length) i++;
        text += jql[i++];
      }
      if (i >= jql.length) throw syntaxError(`The quoted string ${c}${text} has not been completed.`, start + 1);
      i++;
      tokens.push({ kind: 'string', text, at: start + 1 });
    } else if (c === '(' || c === ')' || c === ',') {
      tokens.push({ kind: 'punct', text: c, at: i + 1 });
      i++;
    } else {
      const op = OPERATORS.find((o) => jql.startsWith(o, i));
      if (op) {
        tokens.push({ kind: 'operator', text: op, at: i + 1 });
        i += op.length;
        continue;
      }
      const start = i;
      while (i < jql.length && !WORD_STOP.test(jql[i])) i++;
      tokens.push({ kind: 'word', text: jql.slice(start, i), at: start + 1 });
    }
  }
  return tokens;
}

function syntaxError(detail: string, at: number): JqlError {
  return new JqlError(`Error in the JQL Query: ${detail} (line 1, character ${at})`);
}

class Parser {
  private i = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly length: number,
  ) {}

  parse(): JqlQuery {
    const clauses: JqlClause[] = [];
    if (this.peek() && !this.isKeyword('order')) {
      clauses.push(this.clause());
      while (this.isKeyword('and') || this.isWord('&&') || this.isWord('&')) {
        this.i++;
        clauses.push(this.clause());
      }
    }
    if (this.isKeyword('or') || this.isWord('||') || this.isWord('|')) {
      throw this.unsupported("'OR'");
    }
    const orderBy = this.isKeyword('order') ? this.orderBy() : [];
    const rest = this.peek();
    if (rest) throw syntaxError(`Expecting either 'OR' or 'AND' but got '${rest.text}'.`, rest.at);
    return { clauses, orderBy };
  }

  private clause(): JqlClause {
    const first = this.expect('a field name');
    if (first.kind === 'punct' && first.text === '(') throw this.unsupported('parenthesised groups', first);
    if (first.kind === 'word' && first.text.toLowerCase() === 'not') throw this.unsupported("'NOT'", first);
    if (first.kind !== 'word' && first.kind !== 'string') {
      throw syntaxError(`Expecting a field name but got '${first.text}'.`, first.at);
    }
    const operator = this.operator();
    const values = operator === 'in' || operator === 'not in' ? this.list() : [this.value()];
    return { field: first.text, operator, values };
  }

  private operator(): JqlOperator {
    const token = this.expect('an operator');
    if (token.kind === 'operator') return token.text as JqlOperator;
    const word = token.kind === 'word' ? token.text.toLowerCase() : '';
    if (word === 'in') return 'in';
    if (word === 'not' && this.isKeyword('in')) {
      this.i++;
      return 'not in';
    }
    if (word === 'is') {
      if (this.isKeyword('not')) {
        this.i++;
        return 'is not';
      }
      return 'is';
    }
    throw syntaxError(
      `Expecting operator but got '${token.text}'. The valid operators are '=', '!=', '<', '>', '<=', '>=', '~', '!~', 'IN', 'NOT IN', 'IS' and 'IS NOT'.`,
      token.at,
    );
  }

  private list(): JqlValue[] {
    const open = this.expect("'('");
    if (open.text !== '(') throw syntaxError(`Expecting '(' but got '${open.text}'.`, open.at);
    const values = [this.value()];
    for (;;) {
      const next = this.expect("')'");
      if (next.text === ')') return values;
      if (next.text !== ',') throw syntaxError(`Expecting ',' or ')' but got '${next.text}'.`, next.at);
      values.push(this.value());
    }
  }

  private value(): JqlValue {
    const token = this.expect('a value');
    if (token.kind === 'string') return { kind: 'literal', text: token.text };
    if (token.kind !== 'word')
      throw syntaxError(`Expecting either a value, list or function but got '${token.text}'.`, token.at);
    const lower = token.text.toLowerCase();
    if (lower === 'empty' || lower === 'null') return { kind: 'empty' };
    if (this.peek()?.text === '(') {
      this.i++;
      const args: string[] = [];
      while (this.peek() && this.peek()?.text !== ')') {
        const arg = this.expect('a function argument');
        if (arg.text !== ',') args.push(arg.text);
      }
      this.expect("')'");
      return { kind: 'function', name: token.text, args };
    }
    return { kind: 'literal', text: token.text };
  }

  private orderBy(): JqlQuery['orderBy'] {
    this.i++;
    if (!this.isKeyword('by')) {
      const got = this.peek();
      throw syntaxError(`Expecting 'by' but got '${got?.text ?? '<EOF>'}'.`, got?.at ?? this.length + 1);
    }
    this.i++;
    const terms: JqlQuery['orderBy'] = [];
    for (;;) {
      const field = this.expect('a field name to order by');
      let direction: 'asc' | 'desc' = 'asc';
      if (this.isKeyword('asc') || this.isKeyword('desc'))
        direction = this.tokens[this.i++].text.toLowerCase() as 'asc' | 'desc';
      terms.push({ field: field.text, direction });
      if (this.peek()?.text !== ',') return terms;
      this.i++;
    }
  }

  private peek(): Token | undefined {
    return this.tokens[this.i];
  }

  private isWord(text: string): boolean {
    const token = this.peek();
    return token?.kind === 'word' && token.text === text;
  }

  private isKeyword(keyword: string): boolean {
    const token = this.peek();
    return token?.kind === 'word' && token.text.toLowerCase() === keyword;
  }

  private expect(what: string): Token {
    const token = this.tokens[this.i++];
    if (!token) throw syntaxError(`Expecting ${what} but reached the end of the query.`, this.length + 1);
    return token;
  }

  private unsupported(what: string, token = this.peek()): JqlError {
    return new JqlError(
      `The Jira emulator does not evaluate ${what} in JQL (line 1, character ${token?.at ?? this.length + 1}); ` +
        'it supports clauses joined with AND.',
    );
  }
}

export function parseJql(jql: string): JqlQuery {
  return new Parser(tokenize(jql), jql.length).parse();
}

// The kernel selftests' test annotations (bpf_misc.h: __success, __failure, __msg, __retval,
// __description, __log_level), read from a program's BTF decl tags so that our objects and the
// kernel's own selftest objects are checked the same way.

export interface TestAnnotations {
  description?: string;
  expect?: 'success' | 'failure';
  /** substrings the verifier log must contain, in order */
  messages: string[];
  /** expected return value of a test run, as an unsigned 32-bit value */
  retval?: number;
  logLevel?: number;
}

const NAMED_RETVALS: Record<string, number> = {
  INT_MIN: 0x80000000,
  INT_MAX: 0x7fffffff,
  // The selftests' POINTER_VALUE / TEST_DATA_LEN constants.
  POINTER_VALUE: 0xcafe4a11,
  TEST_DATA_LEN: 64,
};

export class AnnotationError extends Error {
  override name = 'UsageError';
}

function parseRetval(text: string): number {
  const t = text.trim();
  if (Object.prototype.hasOwnProperty.call(NAMED_RETVALS, t)) return NAMED_RETVALS[t]!;
  const neg = t.startsWith('-');
  const body = neg ? t.slice(1) : t;
  if (!/^(0x[0-9a-f]+|\d+)$/i.test(body)) throw new AnnotationError(`__retval(${text}) is not a number`);
  const v = BigInt(body);
  return Number(BigInt.asUintN(32, neg ? -v : v));
}

export function parseAnnotations(tags: readonly string[]): TestAnnotations {
  const a: TestAnnotations = { messages: [] };
  for (const tag of tags) {
    if (tag === 'comment:test_expect_success') a.expect = 'success';
    else if (tag === 'comment:test_expect_failure') a.expect = 'failure';
    else if (tag.startsWith('comment:test_expect_msg=')) a.messages.push(tag.slice('comment:test_expect_msg='.length));
    else if (tag.startsWith('comment:test_retval=')) a.retval = parseRetval(tag.slice('comment:test_retval='.length));
    else if (tag.startsWith('comment:test_description=')) a.description = tag.slice('comment:test_description='.length);
    else if (tag.startsWith('comment:test_log_level=')) a.logLevel = Number(tag.slice('comment:test_log_level='.length));
  }
  return a;
}

/** Whether a program carries any test annotation at all. */
export const isAnnotated = (a: TestAnnotations): boolean => a.expect !== undefined || a.retval !== undefined || a.messages.length > 0;

/** The first expected message missing from the log, searching in order as the selftests do. */
export function missingMessage(log: string, messages: readonly string[]): string | undefined {
  let from = 0;
  for (const m of messages) {
    const at = log.indexOf(m, from);
    if (at < 0) return m;
    from = at + m.length;
  }
  return undefined;
}

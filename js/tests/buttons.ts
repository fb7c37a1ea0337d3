// The buttons a sentence tells the user to click, as the tests find them: "click " and a capitalised
// name, up to punctuation, matched to the widget's labels (js/shared/wording.ts LABELS), the longest
// first; an unknown one as written, so that a test can say which.
import { LABELS } from "../shared/wording";

const CLICK = /\b[Cc]lick\s+([A-Z][^.,;:()]*)/g;

export function namedButtons(message: string): string[] {
  const known = Object.values(LABELS).sort((a, b) => b.length - a.length);
  const named: string[] = [];
  for (const [, after] of message.matchAll(CLICK)) {
    const label = known.find((k) => after === k || after.startsWith(`${k} `));
    named.push(label ?? after.trim());
  }
  return named;
}

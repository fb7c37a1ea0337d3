// What one widget shows in each state: its buttons (actionsFor), and the whole view with its sentence
// (js/shared/wording.ts) and what is known besides. The sentence never decides a button; each names only
// buttons its state shows (js/tests/wording.test.ts).
import type { Action, ActionId, Status, View } from "../shared/messages";
import { LABELS } from "../shared/wording";

/** Buttons in order; the first is primary when the state asks for it (`urge`). */
function actions(urge: boolean, ...ids: ActionId[]): Action[] {
  return ids.map((id, i) => ({ id, label: LABELS[id], primary: urge && i === 0 }));
}

export interface StateFacts {
  /** The provider's part of a sign-out is left for a click (the browser refused its popup). */
  signOutPending?: boolean;
}

/** The buttons a state offers, first the one its message points at (primary where it asks for a click). */
export function actionsFor(status: Status, facts: StateFacts = {}): Action[] {
  switch (status) {
    case "idle":
      return [];
    case "signing_in":
      return actions(false, "cancel");
    case "needs_click":
      // A click is what the browser wanted: for the sign-out's popup, or the sign-in's, which the
      // whole tab can also do without a popup.
      return facts.signOutPending ? actions(true, "sign_out") : actions(true, "sign_in", "redirect");
    case "signed_in":
      return actions(false, "renew", "sign_out"); // renewed by itself: nothing to urge
    case "renew_needed":
      return actions(true, "renew", "sign_out");
    case "signed_out":
    case "error":
      return actions(true, "sign_in");
  }
}

export interface ViewFacts extends StateFacts {
  provider?: string | null;
  user?: string | null;
  expiresAt?: number | null;
}

/** The whole view of one state: its sentence, its buttons, and what is known besides. */
export function view(status: Status, message: string, facts: ViewFacts = {}): View {
  return {
    status,
    message,
    actions: actionsFor(status, facts),
    provider: facts.provider ?? null,
    user: facts.user ?? null,
    expiresAt: facts.expiresAt ?? null,
  };
}

/// <reference types="node" />
// A widget model as anywidget hands it to the page (its traits, its comm to the kernel), and the
// controller that shows it, with what the kernel was sent and every view the widget showed.
import type { TestContext } from "node:test";
import type { AnyModel } from "@anywidget/types";
import { Controller } from "../widget/controller";
import type { KernelMessage, PageMessage, Status, View, WidgetTraits } from "../shared/messages";
import { WidgetSettings } from "../signin/settings";
import { CONFIG, mayLearn, waitFor } from "./fake-page";

let made = 0;

type Sent<T extends PageMessage["type"]> = Extract<PageMessage, { type: T }>;

export interface FakeModel {
  model: AnyModel<WidgetTraits>;
  traits: WidgetTraits;
  /** Everything the page sent the kernel, in order. */
  sent: PageMessage[];
  said<T extends PageMessage["type"]>(type: T): Sent<T>[];
  fromKernel(msg: KernelMessage): void;
  /** What ipywidgets does when the kernel restarts: the comm dies, sends throw, and it says so. */
  restartKernel(): void;
  /** ipywidgets says the comm's liveness changed, and it is alive (a reconnect). */
  commLive(): void;
}

export function fakeModel(over: Partial<WidgetTraits> = {}): FakeModel {
  const traits: WidgetTraits = {
    instance: `w${++made}`,
    config: CONFIG,
    timeout: 30,
    renew_before: 10,
    redirect_path: "",
    pinned_redirect_uri: "",
    mode: "popup",
    ...over,
  };
  const sent: PageMessage[] = [];
  const handlers = new Map<string, Set<(msg: unknown) => void>>();
  const on = (event: string) => handlers.get(event) ?? new Set();
  let dead = false;
  const model = {
    get: (key: keyof WidgetTraits) => traits[key],
    on: (event: string, handler: (msg: unknown) => void) => {
      handlers.set(event, on(event).add(handler));
    },
    off: (event: string, handler: (msg: unknown) => void) => {
      on(event).delete(handler);
    },
    send: (msg: PageMessage) => {
      if (dead) throw new Error("Cannot send");
      sent.push(msg);
    },
  } as unknown as AnyModel<WidgetTraits>;
  mayLearn(() => [traits.config, new WidgetSettings(model).redirectUri]);
  return {
    model,
    traits,
    sent,
    said: <T extends PageMessage["type"]>(type: T) => sent.filter((m): m is Sent<T> => m.type === type),
    fromKernel: (msg) => on("msg:custom").forEach((h) => h(msg)),
    restartKernel: () => {
      dead = true;
      on("comm_live_update").forEach((h) => h(undefined));
    },
    commLive: () => on("comm_live_update").forEach((h) => h(undefined)),
  };
}

export interface Widget extends FakeModel {
  controller: Controller;
  /** Every view the widget showed, in order. */
  views: View[];
  readonly view: View;
  /** Wait until the widget shows `status` (the event loop turns; nothing sleeps). */
  until(status: Status): Promise<View>;
}

/** A widget model and its controller, disposed when the test ends (its window closed, its watch left). */
export function widget(t: TestContext, over: Partial<WidgetTraits> = {}): Widget {
  const fake = fakeModel(over);
  const controller = new Controller(fake.model);
  const views: View[] = [];
  controller.subscribe(() => views.push(controller.view));
  t.after(() => controller.dispose());
  return {
    ...fake,
    controller,
    views,
    get view() {
      return controller.view;
    },
    async until(status) {
      await waitFor(
        () => controller.view.status === status,
        () => `${status}; the widget shows ${controller.view.status}: ${controller.view.message}`,
      );
      return controller.view;
    },
  };
}

export function ids(view: View): string[] {
  return view.actions.map((a) => a.id);
}

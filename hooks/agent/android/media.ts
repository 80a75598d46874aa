// Camera and microphone: opening a camera, starting an audio or video recording.
import { type Call, defaultRead, type HandlerTable } from "../lib/hooks.js";

/** The recording / camera call itself is the evidence; the value is the camera id or source, if any. */
function capture(call: Call) {
  const outcome = defaultRead(call);
  return { ...outcome, value: call.threw === undefined && call.returnType !== "void" ? outcome.value : null };
}

export const handlers: HandlerTable = {
  capture: { kind: "data", read: capture },
};

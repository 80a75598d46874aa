// Sending SMS: SmsManager.send* (the destination and the text are the evidence).
import { type Call, type DataOutcome, defaultRead, type HandlerTable } from "../lib/hooks.js";
import { ids } from "../lib/render.js";

/** sendTextMessage(destination, scAddress, text, ...) and the multipart/data/internal variants. */
function smsSend(call: Call): DataOutcome {
  const outcome = defaultRead(call);
  const destination = typeof call.args[0] === "string" ? call.args[0] : null;
  const text = typeof call.args[2] === "string" ? call.args[2] : null;
  const args: Record<string, unknown> = { destination, ...(text !== null ? { text } : {}) };
  if (call.threw !== undefined) {
    args.threw = (outcome.args ?? {}).threw;
  }
  return { args, value: null, identifiers: ids("phone", [destination]) };
}

export const handlers: HandlerTable = {
  sms_send: { kind: "data", read: smsSend },
};

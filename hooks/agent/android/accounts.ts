// Accounts: AccountManager.getAccounts*() (account names are often e-mail addresses).
import { type Call, defaultRead, type HandlerTable } from "../lib/hooks.js";
import { asRuntime, fieldValue, ids, itemsOf, mergeIds } from "../lib/render.js";

/** Account[]: "type:name" per account; names that are e-mail addresses become `email` identifiers. */
function accounts(call: Call) {
  const outcome = defaultRead(call);
  if (call.threw !== undefined) {
    return outcome;
  }
  const found = itemsOf(call.ret).map((item) => {
    const account = asRuntime(item);
    return { name: String(fieldValue(account, "name")), type: String(fieldValue(account, "type")) };
  });
  const emails = found.map((account) => account.name).filter((name) => /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(name));
  return {
    ...outcome,
    value: found.map((account) => `${account.type}:${account.name}`).join(", "),
    identifiers: mergeIds(ids("email", emails)),
  };
}

export const handlers: HandlerTable = {
  accounts: { kind: "data", read: accounts },
};

// The date the explorer describes: today (the network as it is now) or a past day. The map and
// the organisation panel ask the API with `asOf`; the address remembers the day.

const DAY = /^\d{4}-\d{2}-\d{2}$/;
// The API's instants start in year 1.
export const FIRST_DAY = "0001-01-01";
// The server refuses an instant in its future: a past day's last instant is kept a minute
// behind this browser's clock, which covers a small difference between the two clocks.
const CLOCK_MARGIN_MS = 60_000;

let chosenDay = null; // "YYYY-MM-DD", or null for today

/** Today in this browser's calendar, as the date input writes it. */
export function today() {
  const now = new Date();
  const pad = (n) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** The chosen past day, or null for today. A day that is not a past day means today. */
export function asOfDay() {
  return chosenDay;
}

/** Is `value` a day of the calendar the API reads ("YYYY-MM-DD", year 1 on), not one Date
 * would roll over (30 February is 2 March to it)? */
function isCalendarDay(value) {
  if (typeof value !== "string" || !DAY.test(value) || value < FIRST_DAY) return false;
  const parsed = Date.parse(`${value}T00:00:00Z`);
  return !Number.isNaN(parsed) && new Date(parsed).toISOString().startsWith(value);
}

/** Choose a day ("YYYY-MM-DD"); today, a later day or anything else means today. Says whether it changed. */
export function setAsOfDay(value) {
  const day = isCalendarDay(value) && value < today() ? value : null;
  const changed = day !== chosenDay;
  chosenDay = day;
  return changed;
}

/** The instant to ask the API about: the chosen day's last instant (UTC), or null for now. */
export function asOfInstant() {
  if (chosenDay === null) return null;
  const endOfDay = Date.parse(`${chosenDay}T23:59:59.999Z`);
  return new Date(Math.min(endOfDay, Date.now() - CLOCK_MARGIN_MS)).toISOString();
}

/** The end of a period that runs up to the chosen day, or up to now (as `asOfInstant`). */
export function periodEnd() {
  return asOfInstant() ?? new Date(Date.now() - CLOCK_MARGIN_MS).toISOString();
}

/** "6 Dec 2026, 19:17" in UTC: the instant an answer describes, as the API said it. */
export function describeInstant(iso) {
  return new Date(iso).toLocaleString("en-GB", {
    year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", timeZone: "UTC",
  }) + " UTC";
}

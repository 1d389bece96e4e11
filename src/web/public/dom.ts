// Small DOM and text helpers shared by the page's panels.

/** The element with this id; a missing one is a broken page. */
export function byId<T extends HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`missing #${id}`);
  return element as T;
}

/** A count with thousands separators. */
export const count = (n: number): string => n.toLocaleString('en-US');

/** Shows `text` in a status line, marked as an error or not. */
export function setStatus(element: HTMLElement, text: string, error = false): void {
  element.textContent = text;
  element.classList.toggle('error', error);
}

/** The message of a thrown value. */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** 1st, 2nd, 3rd, 4th, …, 11th, 12th, 13th, 21st, with thousands separators. */
export function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${count(n)}${suffix}`;
}

/** `text` in at most `max` characters (code points), the last an ellipsis when it was longer. */
export const truncate = (text: string, max: number) => ([...text].length > max ? `${[...text].slice(0, max - 1).join("")}…` : text);

import { useEffect, useRef, useState } from "react";

import { useDebouncedValue } from "../../lib/useDebouncedValue";

/**
 * A search box whose settled text lives in the URL: typing changes the box at once; once
 * typing stops for delayMs the trimmed text is the search (returned as `settled`) and is
 * written with save (the search is then the URL's). A URL changed from outside (Back, a link)
 * puts its text in the box.
 */
export function useUrlSearchBox(
  inUrl: string,
  save: (search: string) => void,
  delayMs: number,
): { text: string; setText: (text: string) => void } {
  const [text, setText] = useState(inUrl);
  const settled = useDebouncedValue(text.trim(), delayMs);
  const written = useRef(inUrl);
  const saveRef = useRef(save);
  saveRef.current = save;

  useEffect(() => {
    if (settled === written.current) return;
    written.current = settled;
    saveRef.current(settled);
  }, [settled]);

  useEffect(() => {
    if (inUrl === written.current) return;
    written.current = inUrl;
    setText(inUrl);
  }, [inUrl]);

  return { text, setText };
}

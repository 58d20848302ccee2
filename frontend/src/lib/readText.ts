/** A file's (or blob's) contents as UTF-8 text. */
export function readText(blob: Blob): Promise<string> {
  // FileReader rather than blob.text(): every browser has it, and so does the test DOM.
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error ?? new Error("the file could not be read"));
    reader.readAsText(blob);
  });
}

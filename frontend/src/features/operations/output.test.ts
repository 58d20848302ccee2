import { addChunks, EMPTY_OUTPUT, outputText, setTail } from "./output";

const chunk = (seq: number, text: string) => ({
  operationId: "op",
  seq,
  stream: "stdout",
  chunk: text,
});

describe("Operation output", () => {
  it("puts chunks in seq order and keeps each once", () => {
    let state = addChunks(EMPTY_OUTPUT, [chunk(2, "b"), chunk(1, "a")]);
    state = addChunks(state, [chunk(3, "c"), chunk(2, "b"), chunk(1, "a")]);
    expect(outputText(state)).toBe("abc");
  });

  it("drops live chunks the stored tail already holds (the server says up to which seq)", () => {
    let state = setTail(EMPTY_OUTPUT, "ab", 2);
    state = addChunks(state, [chunk(2, "b"), chunk(3, "c")]);
    expect(outputText(state)).toBe("abc");
  });

  it("recognises chunks seen before the tail arrived at its end", () => {
    let state = addChunks(EMPTY_OUTPUT, [
      chunk(1, "one\n"),
      chunk(2, "two\n"),
      chunk(3, "three\n"),
    ]);
    // The tail was read after chunk 2 and before chunk 3.
    state = setTail(state, "one\ntwo\n", null);
    expect(outputText(state)).toBe("one\ntwo\nthree\n");
    state = addChunks(state, [chunk(2, "two\n"), chunk(4, "four\n")]);
    expect(outputText(state)).toBe("one\ntwo\nthree\nfour\n");
  });

  it("keeps every live chunk when the tail is still empty", () => {
    let state = addChunks(EMPTY_OUTPUT, [chunk(1, "a"), chunk(2, "b")]);
    state = setTail(state, "", undefined);
    expect(outputText(state)).toBe("ab");
  });

  it("takes the final tail as the whole output once it holds the live chunks", () => {
    let state = addChunks(EMPTY_OUTPUT, [chunk(1, "a"), chunk(2, "b")]);
    state = setTail(state, "ab", undefined);
    expect(outputText(state)).toBe("ab");
  });
});

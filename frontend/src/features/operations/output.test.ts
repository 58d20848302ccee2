import { addChunks, EMPTY_OUTPUT, hasGap, outputText, setTail } from "./output";

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

  it("drops live chunks the stored output already holds (the server says up to which seq)", () => {
    let state = setTail(EMPTY_OUTPUT, "ab", 2);
    state = addChunks(state, [chunk(2, "b"), chunk(3, "c")]);
    expect(outputText(state)).toBe("abc");
  });

  it("keeps the live chunks seen before the stored output arrived that it does not hold", () => {
    let state = addChunks(EMPTY_OUTPUT, [chunk(2, "two\n"), chunk(3, "three\n")]);
    state = setTail(state, "one\ntwo\n", 2);
    expect(outputText(state)).toBe("one\ntwo\nthree\n");
    expect(hasGap(state)).toBe(false);
  });

  it("sees the chunks streamed before it subscribed as missing until the server has them", () => {
    // Subscribed after chunks 1-3 went out; the first fetch was answered before any was kept.
    let state = setTail(EMPTY_OUTPUT, "", 0);
    state = addChunks(state, [chunk(4, "verify #2\n")]);
    expect(hasGap(state)).toBe(true);
    expect(outputText(state)).toBe("verify #2\n");

    state = setTail(state, "POST /upgrade\nHTTP 202\n", 2);
    expect(hasGap(state)).toBe(true);
    state = setTail(state, "POST /upgrade\nHTTP 202\nverify #1\n", 3);
    expect(hasGap(state)).toBe(false);
    expect(outputText(state)).toBe("POST /upgrade\nHTTP 202\nverify #1\nverify #2\n");
  });

  it("ignores a stored output older than the one it has (a slow answer)", () => {
    let state = setTail(EMPTY_OUTPUT, "abc", 3);
    state = setTail(state, "a", 1);
    state = addChunks(state, [chunk(4, "d")]);
    expect(outputText(state)).toBe("abcd");
    expect(hasGap(state)).toBe(false);
  });

  it("has no gap before the stored output is known", () => {
    expect(hasGap(addChunks(EMPTY_OUTPUT, [chunk(5, "e")]))).toBe(false);
  });
});

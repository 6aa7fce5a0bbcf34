/** Component-model binary codes of the primitive value types (the encoder and the WAT assembler share them). */
export const PRIM_BYTES: Record<string, number> = {
  bool: 0x7f,
  s8: 0x7e,
  u8: 0x7d,
  s16: 0x7c,
  u16: 0x7b,
  s32: 0x7a,
  u32: 0x79,
  s64: 0x78,
  u64: 0x77,
  f32: 0x76,
  f64: 0x75,
  char: 0x74,
  string: 0x73,
  "error-context": 0x64,
};

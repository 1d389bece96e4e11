// An AssemblyScript transform that builds the training kernels for a 64-bit
// memory (kernels64.asconfig.json), for models whose weights pass 4 GiB.
// The compiler has 64-bit pointers (its Wasm64 target) but no option to
// choose them, and it declares its memory 32-bit; so this sets the target
// and the module's pointer type before compiling, and afterwards declares
// the imported shared memory 64-bit, up to MAX_PAGES.

const MAX_PAGES = 262144; // 16 GiB of 64 KiB pages
const BINARYEN_I64 = 3; // binaryen's type id of i64

export default class Memory64 {
  afterParse() {
    this.program.options.target = 2; // Target.Wasm64
    this.program.module.sizeType = BINARYEN_I64;
  }

  afterCompile(module) {
    module.setMemory(1, MAX_PAGES, null, [], true, true, '0');
    module.addMemoryImport('0', 'env', 'memory', true);
  }
}

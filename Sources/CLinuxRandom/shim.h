// getrandom(2), which the Glibc module does not export: KernelRandom (CofferCore) fills its pool with it.
#include <sys/random.h>

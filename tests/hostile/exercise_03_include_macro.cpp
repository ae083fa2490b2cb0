// Hostile: includes the reference solution through a macro, which a text check cannot read.
// Expected: refused, 0 points.
#define HOSTILE_FILE "@SOURCE_DIR@/solutions/exercise_03_tanh.cpp"
#include HOSTILE_FILE

// Hostile: includes the reference solution by its absolute path. Expected: refused, 0 points.
#include "@SOURCE_DIR@/solutions/exercise_03_tanh.cpp"

// Hostile: includes the reference solution by a relative path. Expected: refused, 0 points.
#include "../../solutions/exercise_03_tanh.cpp"

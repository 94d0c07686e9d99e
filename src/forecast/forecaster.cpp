#include "forecast/forecaster.h"

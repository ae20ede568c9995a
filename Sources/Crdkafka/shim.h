#ifndef TALLY_CRDKAFKA_SHIM_H
#define TALLY_CRDKAFKA_SHIM_H
#include <librdkafka/rdkafka.h>
#endif

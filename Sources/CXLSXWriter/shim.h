#ifndef TALLY_CXLSXWRITER_SHIM_H
#define TALLY_CXLSXWRITER_SHIM_H
#include <xlsxwriter.h>
#endif

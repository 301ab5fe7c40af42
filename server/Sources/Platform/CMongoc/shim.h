#ifndef STOREFRONT_CMONGOC_SHIM_H
#define STOREFRONT_CMONGOC_SHIM_H
// The only place that includes the C driver. MongoKit is the only module that imports it.
#include <mongoc/mongoc.h>
#endif

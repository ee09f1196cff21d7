#pragma once
// The c10d store behind a KeyValueStore that connectStore made, for a process group over it.

#include <torch/csrc/distributed/c10d/Store.hpp>

#include "egmf/app/shared_work.h"

namespace egmf::cluster {

/// Null when `store` is not one of connectStore's.
c10::intrusive_ptr<c10d::Store> c10dStoreOf(KeyValueStore& store);

}  // namespace egmf::cluster

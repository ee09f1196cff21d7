#pragma once
// The engine's values on the wire and back (engine/proto/egmf_engine.proto). Exact: floats and
// doubles travel as themselves, so a remote result equals the local one bit for bit.

#include "egmf/engine.h"
#include "egmf_engine.pb.h"

namespace egmf::remote {

namespace pb = ::egmf::remote::v1;

void toWire(const Dialogue& dialogue, pb::Dialogue& out);
Dialogue fromWire(const pb::Dialogue& dialogue);

void toWire(const EngineJob& job, std::uint64_t clientJobId, pb::Job& out);
/// The job, or why it cannot run (an ablation index out of range).
Result<EngineJob> fromWire(const pb::Job& job);

void toWire(const DialogueResult& result, pb::DialogueResult& out);
DialogueResult fromWire(const pb::DialogueResult& result);

void toWire(const ModelInfo& model, pb::ModelInfo& out);
Result<ModelInfo> fromWire(const pb::ModelInfo& model);

void toWire(const Error& error, pb::Failure& out);
Error fromWire(const pb::Failure& failure);

}  // namespace egmf::remote

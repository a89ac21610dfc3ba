#include "tp/fix/fix_pipeline.hpp"

#include "tp/engine/pipeline/pipeline_impl.hpp"

namespace tp {
template class PipelineT<SpscRing, fix::FixFeed>;
}

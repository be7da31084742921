export { createStore, sameContent, type Store, type ChangeListener } from './store.js';
export {
  createDebouncer, realScheduler, DEFAULT_DEBOUNCE_AFTER_MS, DEFAULT_DEBOUNCE_MAX_MS,
  type Debouncer, type DebounceOptions, type Scheduler, type BatchTiming,
} from './debounce.js';
export { createModelPipeline, type ModelPipeline, type ModelPipelineOptions } from './pipeline.js';

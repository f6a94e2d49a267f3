export { default as SSESource, default as EventSource } from './SSESource.svelte'
export { default as Select } from './Select.svelte'
export { getSource, setSource } from './context.js'

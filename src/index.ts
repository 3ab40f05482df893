import { createApp } from './app.ts';

export default createApp() satisfies ExportedHandler<Env>;
export { SubmissionsStore } from './storage/submissions/store.ts';

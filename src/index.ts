import { createApp } from './app.ts';
import { scheduled } from './scheduled.ts';

export default { fetch: createApp().fetch, scheduled } satisfies ExportedHandler<Env>;
export { SubmissionsStore } from './storage/submissions/store.ts';
export { PublishLock } from './storage/publish-lock.ts';

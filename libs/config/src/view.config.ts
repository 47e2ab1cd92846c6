import { ConfigType, registerAs } from '@nestjs/config';
import { readEnv } from './env';

/** The live view: its port, and the apps it watches (producer* names count as producers). */
export const viewConfig = registerAs('view', () => {
  const env = readEnv();
  return {
    port: env.VIEW_PORT,
    apps: env.VIEW_APPS.split(',').map((entry) => {
      const [name, url] = entry.split('=');
      return { name, url: url.replace(/\/+$/, '') };
    }),
  };
});

export type ViewConfig = ConfigType<typeof viewConfig>;

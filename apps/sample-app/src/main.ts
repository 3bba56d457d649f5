import { createApp } from './server';

const port = Number(process.env.PORT ?? 8080);
const app = createApp({ version: process.env.APP_VERSION });
app.server.listen(port, () => console.log(JSON.stringify({ msg: 'listening', port })));

process.on('SIGTERM', () => {
  app.markDraining();
  app.server.close(() => process.exit(0));
});

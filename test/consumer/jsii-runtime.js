// A minimal client of the jsii runtime's stdin/stdout protocol, the one the Python `jsii` package speaks:
// one JSON request per line, one JSON response per line (`{"ok": …}` or `{"error": …}`).
'use strict';
const { spawn } = require('node:child_process');
const readline = require('node:readline');

class JsiiRuntime {
  static async start(script) {
    const runtime = new JsiiRuntime(script);
    const hello = await runtime.next();
    if (!hello.hello) throw new Error(`jsii runtime: unexpected greeting ${JSON.stringify(hello)}`);
    return runtime;
  }

  constructor(script) {
    this.child = spawn(process.execPath, [script], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.stderr = '';
    this.child.stderr.on('data', (chunk) => { this.stderr = (this.stderr + chunk).slice(-4000); });
    this.waiting = [];
    this.lines = [];
    readline.createInterface({ input: this.child.stdout }).on('line', (line) => {
      const message = JSON.parse(line);
      const resolve = this.waiting.shift();
      if (resolve) resolve(message); else this.lines.push(message);
    });
  }

  next() {
    if (this.lines.length > 0) return Promise.resolve(this.lines.shift());
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  async request(body) {
    this.child.stdin.write(`${JSON.stringify(body)}\n`);
    const response = await this.next();
    if (response.error) throw new Error(`jsii runtime: ${body.api} failed: ${response.error}\n${this.stderr}`);
    return response.ok;
  }

  load(name, version, tarball) { return this.request({ api: 'load', name, version, tarball }); }
  create(fqn, args) { return this.request({ api: 'create', fqn, args }); }
  sinvoke(fqn, method, args) { return this.request({ api: 'sinvoke', fqn, method, args }).then((r) => r.result); }
  invoke(objref, method, args) { return this.request({ api: 'invoke', objref, method, args }).then((r) => r.result); }
  get(objref, property) { return this.request({ api: 'get', objref, property }).then((r) => r.value); }

  close() {
    this.child.stdin.end();
    this.child.kill();
  }
}

module.exports = { JsiiRuntime };

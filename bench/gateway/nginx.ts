// nginx as a plain reverse proxy for reference: one worker, upstream keep-alive, no access log.
// Everything nginx writes (pid, logs, temp files) lives in a temp dir, so it runs without touching
// /etc/nginx or /var (as root or not).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export function nginxBinary(): string | null {
  for (const bin of ['nginx', '/usr/sbin/nginx']) {
    const r = spawnSync(bin, ['-v'], { encoding: 'utf8' })
    if (r.status === 0) return bin
  }
  return null
}

export function nginxConfig(dir: string, port: number, upstream: URL): string {
  return `worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  keepalive_requests 1000000;
  keepalive_timeout 65s;
  upstream app {
    server ${upstream.hostname}:${upstream.port};
    keepalive 64;
    keepalive_requests 1000000;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://app;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    }
  }
}
`
}

/** Writes the config into a fresh temp dir and starts `nginx -c … -g 'daemon off;'`. */
export function startNginx(bin: string, port: number, upstream: string): { child: ChildProcess; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'sunbae-bench-nginx-'))
  // as root, nginx's workers run as nobody and must reach the temp paths
  chmodSync(dir, 0o755)
  const conf = join(dir, 'nginx.conf')
  writeFileSync(conf, nginxConfig(dir, port, new URL(upstream)))
  const child = spawn(bin, ['-p', dir, '-c', conf, '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] })
  return { child, dir }
}

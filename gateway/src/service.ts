import type { ServiceDefinition } from '@sunbae/service-kit'
import { checkGatewayConfig, GatewayConfig, gatewayConfigDefaults } from './config.ts'
import { trustProxyOption } from './lib/client-ip.ts'
import { lazyChildLoggerFactory } from './lib/lazy-logger.ts'
import { gatewayPlugin, type GatewaySeams } from './app.ts'

/**
 * The gateway's service definition. It signs identities rather than verifying them, so the kit's
 * identity plugin is off. Tests pass seams (a wrapped verifier); production uses none.
 */
export function gatewayDefinition(seams: GatewaySeams = {}): ServiceDefinition<typeof GatewayConfig> {
  return {
    name: 'gateway',
    version: '0.1.0',
    description: 'Public entry of the Sunbae API: verifies Firebase ID tokens, rate limits, proxies /api/* to the services.',
    configSchema: GatewayConfig,
    configDefaults: gatewayConfigDefaults(),
    identity: false,
    checkConfig: checkGatewayConfig,
    // X-Forwarded-* are believed only from TRUST_PROXY hops (proxy-addr, via Fastify)
    // request loggers are made on first use (lib/lazy-logger.ts): a proxied request rarely logs
    fastifyOptions: (config) => ({ trustProxy: trustProxyOption(config.TRUST_PROXY), childLoggerFactory: lazyChildLoggerFactory }),
    app: gatewayPlugin(seams),
  }
}

import { Type } from 'typebox'
import type { FastifyInstance, FastifyPluginAsync } from 'fastify'
import { BaseConfig, buildService, loadConfig, type ServiceDefinition } from '../src/index.ts'
import { TEST_IDENTITY_SECRET } from '../src/testing.ts'

export const testConfigSchema = Type.Object({ ...BaseConfig.properties })

export async function buildFixture(app: FastifyPluginAsync<any>, env: Record<string, string> = {}): Promise<FastifyInstance> {
  const config = loadConfig(testConfigSchema, { PORT: '0', LOG_LEVEL: 'silent', IDENTITY_SECRET: TEST_IDENTITY_SECRET, ...env })
  const def: ServiceDefinition<typeof testConfigSchema> = { name: 'fixture', configSchema: testConfigSchema, app }
  return buildService(def, config)
}

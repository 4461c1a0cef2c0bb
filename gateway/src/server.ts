import { runService } from '@sunbae/service-kit'
import { gatewayDefinition } from './service.ts'

await runService(gatewayDefinition())

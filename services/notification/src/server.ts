import { runService } from '@sunbae/service-kit'
import { definition } from './service.ts'

await runService(definition)

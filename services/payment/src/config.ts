import { serviceConfig } from '@sunbae/service-kit'

export const configSchema = serviceConfig({})

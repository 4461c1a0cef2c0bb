const encoder = new TextEncoder()
const decoder = new TextDecoder()

export const encodeJson = (value: unknown): Uint8Array =>
  value === undefined ? new Uint8Array(0) : encoder.encode(JSON.stringify(value))

/** An empty payload decodes to undefined (a request without a body, a void reply). */
export const decodeJson = <T = unknown>(data: Uint8Array): T =>
  (data.length === 0 ? undefined : JSON.parse(decoder.decode(data))) as T

export const decodeText = (data: Uint8Array): string => decoder.decode(data)

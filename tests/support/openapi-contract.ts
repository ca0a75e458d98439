/**
 * Checks real responses against the served OpenAPI document: the status must
 * be documented for the operation, and the body must match its schema.
 */
import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'

interface Operation {
  responses?: Record<string, { content?: Record<string, { schema?: object }> }>
}
export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>
  components?: object
}

export interface ContractCheck {
  method: string
  path: string
  status: number
  contentType: string | null
  body: unknown
}

export interface Contract {
  /** The documented path template a concrete path belongs to, or null. */
  templateOf(method: string, path: string): string | null
  /** Why a response breaks the contract; empty when it keeps it. */
  violations(check: ContractCheck): string[]
  /** Every documented operation, as `METHOD /template`. */
  operations(): string[]
}

export function contractOf(doc: OpenApiDocument): Contract {
  const ajv = new Ajv2020({ strict: false, allErrors: true })
  addFormats.default(ajv)
  const templates = Object.keys(doc.paths).map((template) => ({
    template,
    pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`),
  }))
  const validators = new Map<string, ReturnType<typeof ajv.compile>>()

  function templateOf(method: string, path: string): string | null {
    const bare = path.split('?')[0] ?? path
    const found = templates.find(({ template, pattern }) => pattern.test(bare) && doc.paths[template]?.[method.toLowerCase()])
    return found?.template ?? null
  }

  function validator(key: string, schema: object) {
    let validate = validators.get(key)
    if (!validate) {
      validate = ajv.compile({ ...schema, components: doc.components ?? {} })
      validators.set(key, validate)
    }
    return validate
  }

  return {
    templateOf,
    operations: () =>
      Object.entries(doc.paths).flatMap(([template, methods]) =>
        Object.keys(methods).map((method) => `${method.toUpperCase()} ${template}`),
      ),
    violations({ method, path, status, contentType, body }) {
      const template = templateOf(method, path)
      const where = `${method} ${path} → ${status}`
      if (!template) return status === 404 || status === 401 ? [] : [`${where}: no documented operation`]
      const operation = doc.paths[template]?.[method.toLowerCase()]
      const response = operation?.responses?.[String(status)] ?? operation?.responses?.['default']
      if (!response) return [`${where}: status ${status} is not documented for ${method} ${template}`]
      if (!response.content) return body === null || body === '' ? [] : [`${where}: documented without a body but one was sent`]
      const mediaType = (contentType ?? '').split(';')[0]?.trim() ?? ''
      const media = response.content[mediaType]
      if (!media)
        return [`${where}: content type ${mediaType || '(none)'} is not documented (${Object.keys(response.content).join(', ')})`]
      if (!media.schema) return []
      const validate = validator(`${method} ${template} ${status} ${mediaType}`, media.schema)
      return validate(body) ? [] : [`${where}: body breaks the schema: ${ajv.errorsText(validate.errors)}`]
    },
  }
}

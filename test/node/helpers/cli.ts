/** Run the aegis CLI in-process with captured output (the same main() the bin launcher calls). */
import { main } from '../../../agent/cli/main.ts'

export async function cli(argv: string[], env: Record<string, string | undefined> = process.env) {
  let out = ''
  let err = ''
  const code = await main(argv, { stdout: (s) => (out += s), stderr: (s) => (err += s), env })
  return { code, out, err, stdout: out, stderr: err }
}

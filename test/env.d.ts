declare module '*?bytes' {
  const bytes: Uint8Array
  export default bytes
}
declare module '*?raw' {
  const text: string
  export default text
}

export declare const LOCAL_CF: Record<string, unknown>
export declare function localCfEnv(dir: string): { CLOUDFLARE_CF_FETCH_PATH: string }

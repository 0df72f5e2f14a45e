/** Polls a JSON endpoint every `intervalMs` while the component is mounted. */
import { useEffect, useRef, useState } from "preact/hooks";
import { getJson, UnauthorizedError } from "./api.js";

export interface Poll<T> {
  data: T | undefined;
  error: "unauthorized" | string | undefined;
}

export function usePoll<T>(path: string, intervalMs: number, onData?: (data: T) => void): Poll<T> {
  const [state, setState] = useState<Poll<T>>({ data: undefined, error: undefined });
  const onDataRef = useRef(onData);
  onDataRef.current = onData;
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async (): Promise<void> => {
      try {
        const data = await getJson<T>(path);
        if (stopped) return;
        onDataRef.current?.(data);
        setState({ data, error: undefined });
      } catch (error) {
        if (stopped) return;
        const reason =
          error instanceof UnauthorizedError ? "unauthorized" : String((error as Error).message);
        setState((previous) => ({ data: previous.data, error: reason }));
      }
      if (!stopped) timer = setTimeout(tick, intervalMs);
    };
    void tick();
    return () => {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [path, intervalMs]);
  return state;
}

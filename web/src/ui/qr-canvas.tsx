/** A QR code drawn on a canvas (the `qrcode` package), redrawn whenever its text changes. */
import QRCode from 'qrcode';
import { useEffect, useRef } from 'react';

export function QrCanvas(props: { text: string; refresh: number; label: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (canvas.current) void QRCode.toCanvas(canvas.current, props.text, { width: 264, margin: 2 });
  }, [props.text]);
  return (
    <canvas
      ref={canvas}
      className="qr"
      role="img"
      aria-label={props.label}
      data-testid="qr"
      data-refresh={props.refresh}
    />
  );
}

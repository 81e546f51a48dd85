import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { connectHost } from './host/host-client';
import { App } from './ui/App';
import './styles.css';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App host={connectHost()} />
  </StrictMode>,
);

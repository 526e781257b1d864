/**
 * Imported first by Node scripts that render pages (npm start): the DOM must exist before
 * miniprogram-simulate is loaded by any later import.
 */
import { installNodeDom } from './node-dom';

export const removeNodeDom = installNodeDom();

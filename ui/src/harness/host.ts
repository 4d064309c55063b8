// A stand-in for Airflow's host page: puts React, ReactDOM (with createRoot) and the JSX runtime on
// globalThis as Airflow 3's UI does, so the real plugin bundle can be loaded into a plain HTML page
// (harness.html) for the benchmark and UI checks without an Airflow server.
import * as React from "react";
import * as ReactDOMBase from "react-dom";
import * as ReactDOMClient from "react-dom/client";
import * as ReactJSXRuntime from "react/jsx-runtime";

const g = globalThis as Record<string, unknown>;
g.React = React;
g.ReactDOM = { ...ReactDOMBase, ...ReactDOMClient };
g.ReactJSXRuntime = ReactJSXRuntime;

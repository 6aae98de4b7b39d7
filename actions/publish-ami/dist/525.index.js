export const id = 525;
export const ids = [525];
export const modules = {

/***/ 525:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  publishAmi: () => (/* reexport */ publishAmi)
});

// EXTERNAL MODULE: ../../node_modules/@aws-sdk/client-ssm/dist-cjs/index.js
var dist_cjs = __webpack_require__(4028);
// EXTERNAL MODULE: ../../packages/aws/lib/index.js + 3 modules
var lib = __webpack_require__(484);
;// CONCATENATED MODULE: ../../packages/ami-publish/lib/publish.js
/** Writes the golden-AMI pointer. */


/** Writes the AMI id to the parameter. */
async function publishAmi(request) {
    const ssm = (0,lib/* createClient */.UU)(dist_cjs/* SSMClient */.jBj, { region: request.region, service: 'SSM', caller: 'publish-ami', log: request.log });
    const response = await ssm.send(new dist_cjs/* PutParameterCommand */.ihh({ Name: request.parameterName, Value: request.amiId, Type: 'String', Overwrite: true, DataType: 'text' }));
    return { version: response.Version ?? 0 };
}

;// CONCATENATED MODULE: ../../packages/ami-publish/lib/index.js



/***/ })

};
